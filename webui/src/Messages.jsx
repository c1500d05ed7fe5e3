// What an action came to: the server's error (read out at once by screen readers) or a notice.
export default function Messages({ error, notice }) {
  return (
    <>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {notice && <p role="status">{notice}</p>}
    </>
  );
}
