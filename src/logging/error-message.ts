/**
 * An error's message for a log line, without the credentials a connection URL may carry
 * (`postgres://user:secret@host`, `smtp://user:secret@host` become `//***@host`).
 */
export function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\/\/[^\s/@]*@/g, '//***@');
}
