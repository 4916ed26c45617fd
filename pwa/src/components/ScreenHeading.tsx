/** The screen's h1; takes focus when the screen appears so screen readers announce it. */
import { useEffect, useRef } from "preact/hooks";

export function ScreenHeading({ text, id }: { text: string; id?: string }) {
  const ref = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (document.activeElement === document.body || document.activeElement === null) ref.current?.focus();
  }, []);
  return (
    <h1 ref={ref} tabIndex={-1} id={id}>
      {text}
    </h1>
  );
}
