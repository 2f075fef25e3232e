// How the console reports: the server's refusals word for word (role=alert, so they are
// announced), and quiet confirmations of what was done (role=status).
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

export function ErrorAlert({ error, title }: { error: Error | null | undefined; title?: string }) {
  if (!error) return null;
  const code = error instanceof ApiError ? error.code : (error as { code?: string }).code;
  return (
    <div className="alert alert-error" role="alert">
      {title && <strong>{title} </strong>}
      <span className="alert-message">{error.message}</span>
      {code && <span className="code"> ({code})</span>}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div className="alert alert-success" role="status">
      {children}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return <p className="loading" role="status">Loading {what}…</p>;
}
