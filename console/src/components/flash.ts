// A confirmation carried across one navigation ("Role assignment created" on the page a
// saved form returns to), shown once and then forgotten.
let pending: string | null = null;

export function setFlash(message: string): void {
  pending = message;
}

export function takeFlash(): string | null {
  const message = pending;
  pending = null;
  return message;
}
