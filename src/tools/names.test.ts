import { describe, expect, it } from 'vitest';
import { TOOL_NAME_PATTERN, toolNameFor } from './names.js';

describe('toolNameFor', () => {
  it.each([
    ['listCompanies', 'list_companies'],
    ['revenueAndCogsSummary', 'revenue_and_cogs_summary'],
    ['checkImportProcessing', 'check_import_processing'],
    ['createDocumentsByPdf', 'create_documents_by_pdf'],
    ['getPDFFile', 'get_pdf_file'],
    ['list.v2-things', 'list_v2_things'],
  ])('%s → %s', (operationId, name) => {
    expect(toolNameFor(operationId)).toBe(name);
    expect(name).toMatch(TOOL_NAME_PATTERN);
  });

  it('keeps names within 64 characters', () => {
    expect(toolNameFor(`get${'Very'.repeat(30)}LongName`).length).toBeLessThanOrEqual(64);
  });
});
