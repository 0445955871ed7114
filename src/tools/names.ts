/** The tool-name rule every client accepts (OpenAI function names; Anthropic and Gemini are laxer). */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * Operations whose snake_case name would mislead a model, with the names the interface fixes for
 * them (../shared/interface.md "Tools"): a `get` that lists, or a name longer than what it does.
 */
const RENAMED: Readonly<Record<string, string>> = {
  getInventoryItemFullData: 'get_inventory_item',
  getReportData: 'get_report',
  getProducts: 'list_products',
  getListings: 'list_listings',
  getCompanyForecastingSettings: 'get_forecasting_settings',
  updateCompanyForecastingSettings: 'update_forecasting_settings',
};

/** What a `resource.verb` operationId's verb becomes; another verb is kept as it is (`sync`). */
const VERBS: Readonly<Record<string, string>> = { read: 'get' };

/** `listCompanies` → `list_companies`, `getPDFFile` → `get_pdf_file`; anything outside `[a-z0-9_]` becomes `_`. */
function snakeCase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '');
}

/** `inventory_orders` → `inventory_order`, `companies` → `company`: the last word made singular. */
function singular(resource: string): string {
  if (/ies$/.test(resource)) return resource.replace(/ies$/, 'y');
  if (/(ss|us)$/.test(resource)) return resource;
  return resource.replace(/s$/, '');
}

/**
 * The tool name of an operation, as ../shared/interface.md fixes it: a camelCase operationId in
 * snake_case (`createInventoryItem` → `create_inventory_item`); a dotted `resource.verb` as
 * `list_<resource>` for `.list` and `<verb>_<singular resource>` otherwise (`.read` → `get_`:
 * `bills.read` → `get_bill`, `paymentRequests.update` → `update_payment_request`); six renamed
 * outright. The result is cut to 64 characters.
 */
export function toolNameFor(operationId: string): string {
  const renamed = RENAMED[operationId];
  if (renamed) return renamed;
  const dotted = /^([A-Za-z][A-Za-z0-9_]*)\.([A-Za-z][A-Za-z0-9_]*)$/.exec(operationId);
  if (dotted) {
    const resource = snakeCase(dotted[1] ?? '');
    const verb = snakeCase(dotted[2] ?? '');
    const name = verb === 'list' ? `list_${resource}` : `${VERBS[verb] ?? verb}_${singular(resource)}`;
    return name.slice(0, 64);
  }
  return snakeCase(operationId).slice(0, 64);
}

/**
 * Checks the names of a set of tools: each must match TOOL_NAME_PATTERN and no two may be equal.
 * Returns one sentence per problem, naming the operations involved (empty when all is well).
 */
export function toolNameProblems(tools: ReadonlyArray<{ name: string; source: string }>): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const { name, source } of tools) {
    if (!TOOL_NAME_PATTERN.test(name)) {
      problems.push(`${source} gives the tool name "${name}", which does not match ${TOOL_NAME_PATTERN}`);
    }
    const first = seen.get(name);
    if (first) problems.push(`${first} and ${source} would both be the tool "${name}"`);
    else seen.set(name, source);
  }
  return problems;
}
