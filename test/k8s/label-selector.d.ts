/**
 * Kubernetes label selectors, as the fake API server evaluates the
 * `labelSelector` query parameter: equality-based (`k=v`, `k==v`, `k!=v`)
 * and set-based (`k in (a,b)`, `k notin (a,b)`, `k`, `!k`) requirements,
 * comma-separated and ANDed.
 */
export type Labels = Readonly<Record<string, string>>;
/** Compiles a selector; the empty selector matches everything. @throws on bad syntax. */
export declare function compileSelector(selector: string | undefined): (labels: Labels) => boolean;
