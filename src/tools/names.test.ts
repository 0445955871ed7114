import { describe, expect, it } from 'vitest';
import { TOOL_NAME_PATTERN, toolNameFor, toolNameProblems } from './names.js';

describe('toolNameFor', () => {
  it.each([
    // camelCase → snake_case
    ['listCompanies', 'list_companies'],
    ['revenueAndCogsSummary', 'revenue_and_cogs_summary'],
    ['createInventoryItem', 'create_inventory_item'],
    ['checkImportProcessing', 'check_import_processing'],
    ['createDocumentsByPdf', 'create_documents_by_pdf'],
    ['inventoryBalances', 'inventory_balances'],
    ['getPDFFile', 'get_pdf_file'],
    // resource.verb → list_<plural> / get_, create_, update_<singular>
    ['bills.read', 'get_bill'],
    ['bills.list', 'list_bills'],
    ['inventoryOrders.list', 'list_inventory_orders'],
    ['inventoryOrders.create', 'create_inventory_order'],
    ['paymentRequests.update', 'update_payment_request'],
    ['salesChannels.list', 'list_sales_channels'],
    ['paymentTerms.list', 'list_payment_terms'],
    ['invoices.read', 'get_invoice'],
    ['assemblyOrders.update', 'update_assembly_order'],
    ['adjustments.create', 'create_adjustment'],
    ['companies.read', 'get_company'],
    ['listings.sync', 'sync_listing'],
    // the six the interface renames
    ['getInventoryItemFullData', 'get_inventory_item'],
    ['getReportData', 'get_report'],
    ['getProducts', 'list_products'],
    ['getListings', 'list_listings'],
    ['getCompanyForecastingSettings', 'get_forecasting_settings'],
    ['updateCompanyForecastingSettings', 'update_forecasting_settings'],
  ])('%s → %s', (operationId, name) => {
    expect(toolNameFor(operationId)).toBe(name);
    expect(name).toMatch(TOOL_NAME_PATTERN);
  });

  it('keeps names within 64 characters', () => {
    expect(toolNameFor(`get${'Very'.repeat(30)}LongName`).length).toBeLessThanOrEqual(64);
    expect(toolNameFor(`${'thing'.repeat(20)}s.read`).length).toBeLessThanOrEqual(64);
  });
});

describe('toolNameProblems', () => {
  it('names both operations of a clash and a name clients refuse', () => {
    const problems = toolNameProblems([
      { name: 'get_bill', source: 'operation bills.read' },
      { name: 'list_bills', source: 'operation bills.list' },
      { name: 'get_bill', source: 'operation getBill' },
      { name: '', source: 'operation weird' },
    ]);
    expect(problems).toEqual([
      'operation bills.read and operation getBill would both be the tool "get_bill"',
      `operation weird gives the tool name "", which does not match ${TOOL_NAME_PATTERN}`,
    ]);
  });

  it('finds nothing wrong in distinct valid names', () => {
    expect(
      toolNameProblems([
        { name: 'a', source: 'x' },
        { name: 'b', source: 'y' },
      ]),
    ).toEqual([]);
  });
});
