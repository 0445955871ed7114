/** Just enough multipart/form-data (RFC 7578) to find one file part in a small upload. */

export interface FilePart {
  filename?: string;
  content: Buffer;
}

/** The part named `field`, or undefined when the body has none or is not well-formed multipart. */
export function findFilePart(body: Buffer, contentType: string, field: string): FilePart | undefined {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const marker = boundary?.[1] ?? boundary?.[2];
  if (!marker) return undefined;
  const delimiter = Buffer.from(`--${marker}`);
  let start = body.indexOf(delimiter);
  while (start >= 0) {
    const next = body.indexOf(delimiter, start + delimiter.length);
    if (next < 0) return undefined;
    const part = body.subarray(start + delimiter.length, next);
    const headerEnd = part.indexOf('\r\n\r\n');
    if (headerEnd >= 0) {
      const headers = part.subarray(0, headerEnd).toString('utf8');
      const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
      if (new RegExp(`\\bname="${field}"`).test(disposition)) {
        // The part's content ends with the CRLF that precedes the next delimiter.
        const content = part.subarray(headerEnd + 4, part.length - 2);
        return { filename: /filename="([^"]*)"/.exec(disposition)?.[1], content };
      }
    }
    start = next;
  }
  return undefined;
}
