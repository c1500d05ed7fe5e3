// Previous and next through a paged list, and where the admin is in it ("Page 2 of 5").
export const lastPage = (count, pageSize) => Math.max(1, Math.ceil(count / pageSize));

export default function Pager({ page, pageSize, count, prev, next, onPage, noun, plural = noun + 's' }) {
  const pages = lastPage(count, pageSize);
  return (
    <nav aria-label="Pages" className="pager">
      <button className="small" onClick={() => onPage(page - 1)} disabled={!prev}>
        Previous
      </button>
      <span aria-live="polite">
        Page {page} of {pages} ({count} {count === 1 ? noun : plural})
      </span>
      <button className="small" onClick={() => onPage(page + 1)} disabled={!next}>
        Next
      </button>
    </nav>
  );
}

// How many rows a page shows; choosing another goes back to the first page.
export function PageSize({ value, sizes, onChange }) {
  return (
    <label>
      Per page
      <select aria-label="Per page" value={value} onChange={(e) => onChange(Number(e.target.value))}>
        {sizes.map((n) => (
          <option key={n}>{n}</option>
        ))}
      </select>
    </label>
  );
}
