/** The tool-name rule every client accepts (OpenAI function names; Anthropic and Gemini are laxer). */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;

/**
 * `listCompanies` → `list_companies`, `createDocumentsByPdf` → `create_documents_by_pdf`,
 * `getPDFFile` → `get_pdf_file`. Anything outside `[a-z0-9_]` becomes `_`; the result is cut to 64.
 */
export function toolNameFor(operationId: string): string {
  return operationId
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_|_$/g, '')
    .slice(0, 64);
}
