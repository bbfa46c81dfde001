// GitHub's page-number pagination: `per_page` (default 30, capped at 100) and `page`, with a Link
// header naming next/last (and first/prev past page 1), which is what octokit.paginate follows.

export interface Page<T> {
  items: T[];
  headers: Record<string, string>;
}

export function paginate<T>(items: T[], query: Record<string, unknown>, requestUrl: URL): Page<T> {
  const perPage = Math.min(100, Math.max(1, typeof query.per_page === "number" ? query.per_page : 30));
  const page = Math.max(1, typeof query.page === "number" ? query.page : 1);
  const lastPage = Math.max(1, Math.ceil(items.length / perPage));
  const link = (n: number, rel: string) => {
    const url = new URL(requestUrl);
    url.searchParams.set("per_page", String(perPage));
    url.searchParams.set("page", String(n));
    return `<${url.toString()}>; rel="${rel}"`;
  };
  const links: string[] = [];
  if (page > 1) links.push(link(Math.min(page - 1, lastPage), "prev"));
  if (page < lastPage) links.push(link(page + 1, "next"), link(lastPage, "last"));
  if (page > 1) links.push(link(1, "first"));
  return {
    items: items.slice((page - 1) * perPage, page * perPage),
    headers: links.length ? { link: links.join(", ") } : {},
  };
}
