/**
 * `prompts/list` and `prompts/get` for the workflow prompts: the list is computed once; `get` checks the
 * arguments and refuses a bad one with an error that names it.
 */
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { WORKFLOW_PROMPTS, type WorkflowPrompt } from './workflows.js';

export { WORKFLOW_PROMPTS, type WorkflowPrompt } from './workflows.js';

/** The `prompts/list` result: the same for every connection. */
export function promptsListResult(prompts: readonly WorkflowPrompt[] = WORKFLOW_PROMPTS) {
  return {
    prompts: prompts.map((prompt) => ({
      name: prompt.name,
      title: prompt.title,
      description: `${prompt.description} Uses ${prompt.tools.join(', ')}.`,
      arguments: prompt.arguments.map(({ name, description, required }) => ({ name, description, required })),
    })),
  };
}

function invalid(message: string): ProtocolError {
  return new ProtocolError(ProtocolErrorCode.InvalidParams, message);
}

/** The `prompts/get` result for `name` with `args`; a protocol error naming the problem otherwise. */
export function getPrompt(
  name: string,
  args: Record<string, string> | undefined,
  prompts: readonly WorkflowPrompt[] = WORKFLOW_PROMPTS,
) {
  const prompt = prompts.find((p) => p.name === name);
  if (!prompt) {
    throw invalid(`Unknown prompt "${name}" in params.name; call prompts/list for the available prompts`);
  }
  const given: Record<string, string> = {};
  for (const argument of prompt.arguments) {
    const value = args?.[argument.name]?.trim();
    if (!value) {
      if (argument.required)
        throw invalid(`The ${name} prompt needs the argument ${argument.name}: ${argument.description}`);
      continue;
    }
    if (argument.pattern && !argument.pattern.test.test(value)) {
      throw invalid(
        `The ${name} prompt's argument ${argument.name} must be ${argument.pattern.description}, got "${value.slice(0, 40)}"`,
      );
    }
    given[argument.name] = value;
  }
  const unknown = Object.keys(args ?? {}).filter((key) => !prompt.arguments.some((a) => a.name === key));
  if (unknown.length > 0) {
    throw invalid(
      `The ${name} prompt takes ${prompt.arguments.map((a) => a.name).join(', ')}; unknown: ${unknown.join(', ').slice(0, 100)}`,
    );
  }
  return {
    description: prompt.description,
    messages: [{ role: 'user' as const, content: { type: 'text' as const, text: prompt.text(given) } }],
  };
}
