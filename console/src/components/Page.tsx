// Every page's frame: the document title and a heading that takes focus when the page opens,
// so a screen reader or keyboard user lands on the new page rather than on a link that is gone.
import { useEffect, useRef, type ReactNode } from 'react';

interface PageProps {
  title: string;
  /** Shown above the heading: where the page sits (Settings › Organization settings). */
  trail?: ReactNode;
  /** Beside the heading: the page's main action. */
  actions?: ReactNode;
  children?: ReactNode;
}

export function Page({ title, trail, actions, children }: PageProps) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · rolegate console`;
    heading.current?.focus({ preventScroll: true });
  }, [title]);
  return (
    <>
      {trail && <p className="trail">{trail}</p>}
      <div className="page-head">
        <h1 ref={heading} tabIndex={-1}>{title}</h1>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </>
  );
}
