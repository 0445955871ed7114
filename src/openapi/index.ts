/**
 * The NeonPanel API document: loaded from the package, validated, `$ref`s inlined, and turned into
 * an Operation model with JSON Schemas. Pure apart from reading the document file.
 */
export {
  type ApiDocument,
  type HttpMethod,
  loadApiDocument,
  OpenApiDocumentError,
  parseApiDocument,
  type SchemaDialect,
  validateDocumentShape,
} from './document.js';
export { BUNDLED_API_DOCUMENT, packageRoot } from './package-root.js';
export { type JsonSchema, type SchemaMode, toJsonSchema } from './json-schema.js';
export {
  extractOperations,
  type Operation,
  type OperationParameter,
  type OperationRequestBody,
  type OperationResponse,
  type ParameterLocation,
  type RequestBodyVariant,
} from './operations.js';
