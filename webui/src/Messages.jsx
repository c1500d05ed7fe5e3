import { useEffect, useRef } from 'react';

// What an action came to: the server's error (read out at once by screen readers) or a notice,
// scrolled into view, since the action may have been far down the page.
export default function Messages({ error, notice }) {
  const shown = useRef(null);
  useEffect(() => {
    if (error || notice) shown.current?.scrollIntoView?.({ block: 'nearest' });
  }, [error, notice]);
  return (
    <div ref={shown}>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {notice && <p role="status">{notice}</p>}
    </div>
  );
}
