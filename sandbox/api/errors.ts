/** NeonPanel's error shape: `{ message }`, plus `errors: { field: [messages] }` for 422. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string[]>,
    readonly headers?: Record<string, string>,
  ) {
    super(message);
  }

  body(): { message: string; errors?: Record<string, string[]> } {
    return this.errors ? { message: this.message, errors: this.errors } : { message: this.message };
  }
}

/** A 422 in Laravel's wording: the first message, "(and N more errors)", and every message by field. */
export function validationError(errors: Record<string, string[]>): ApiError {
  const messages = Object.values(errors).flat();
  const more = messages.length - 1;
  const summary = more > 0 ? `${messages[0]} (and ${more} more error${more > 1 ? 's' : ''})` : (messages[0] ?? '');
  return new ApiError(422, summary, errors);
}
