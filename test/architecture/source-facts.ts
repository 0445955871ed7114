/**
 * What the architecture rules need to know about one source file: the modules it imports and where it
 * reads `process.env`. Parsed with the TypeScript compiler so that text in comments and strings does
 * not count, and every form counts: `import … from`, `export … from`, `import('…')`, `import type`,
 * `import x = require('…')`, `require('…')` and type-position `import('…').T`.
 */
import ts from 'typescript';

export interface ImportFact {
  /** The module specifier as written, e.g. `../http/app.js` or `node:fs`. */
  specifier: string;
  /** 1-based line of the specifier. */
  line: number;
}

export interface EnvRead {
  line: number;
  /** The expression that reads the environment, as written. */
  text: string;
}

export interface SourceFacts {
  imports: ImportFact[];
  envReads: EnvRead[];
}

function stringArgument(node: ts.CallExpression): ts.StringLiteralLike | undefined {
  const [first] = node.arguments;
  return first && ts.isStringLiteralLike(first) ? first : undefined;
}

function isProcess(node: ts.Expression): boolean {
  if (ts.isIdentifier(node)) return node.text === 'process';
  // globalThis.process
  return ts.isPropertyAccessExpression(node) && node.name.text === 'process' && ts.isIdentifier(node.expression);
}

/** `process.env`, `process['env']` and `const { env } = process`. */
function readsEnv(node: ts.Node): boolean {
  if (ts.isPropertyAccessExpression(node)) return node.name.text === 'env' && isProcess(node.expression);
  if (ts.isElementAccessExpression(node)) {
    const key = node.argumentExpression;
    return ts.isStringLiteralLike(key) && key.text === 'env' && isProcess(node.expression);
  }
  if (ts.isVariableDeclaration(node) && node.initializer && ts.isObjectBindingPattern(node.name)) {
    return (
      isProcess(node.initializer) &&
      node.name.elements.some((element) => (element.propertyName ?? element.name).getText() === 'env')
    );
  }
  return false;
}

/** `import { env } from 'node:process'` reads the environment too. */
function importsEnv(node: ts.ImportDeclaration): boolean {
  const from = ts.isStringLiteralLike(node.moduleSpecifier) ? node.moduleSpecifier.text : '';
  if (from !== 'process' && from !== 'node:process') return false;
  const bindings = node.importClause?.namedBindings;
  // A default or namespace import hands over the whole object, `env` included.
  if (!bindings || ts.isNamespaceImport(bindings)) return true;
  return bindings.elements.some((element) => (element.propertyName ?? element.name).text === 'env');
}

/** Parses `text` (the contents of `fileName`) and lists its imports and its reads of the environment. */
export function sourceFacts(fileName: string, text: string): SourceFacts {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const lineOf = (node: ts.Node) => source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
  const imports: ImportFact[] = [];
  const envReads: EnvRead[] = [];
  const addImport = (specifier: ts.Node | undefined) => {
    if (specifier && ts.isStringLiteralLike(specifier))
      imports.push({ specifier: specifier.text, line: lineOf(specifier) });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      addImport(node.moduleSpecifier);
      if (importsEnv(node)) envReads.push({ line: lineOf(node), text: node.getText(source) });
    } else if (ts.isExportDeclaration(node)) {
      addImport(node.moduleSpecifier);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      addImport(node.moduleReference.expression);
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) {
        addImport(stringArgument(node));
      }
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      addImport(node.argument.literal);
    } else if (readsEnv(node)) {
      envReads.push({ line: lineOf(node), text: node.getText(source) });
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return { imports, envReads };
}
