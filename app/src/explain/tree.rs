//! The query tree as the Explain tab lists it.

use super::ExplainNode;
use super::describe;
use simulator::promql::{Expr, ExprKind, format};

/// The nodes of `expr` in pre-order. Parentheses are not nodes of their own: they change
/// nothing about the result, and the Prometheus UI's tree leaves them out too.
///
/// Recursion follows the tree's depth, which the parser bounds, so it cannot exhaust the
/// stack whatever the query.
pub fn nodes(expr: &Expr, query: &str) -> Vec<ExplainNode> {
    nodes_with_paths(expr, query).0
}

/// The nodes of `expr` in pre-order, and for each the path to it from the root (child
/// indices following `Expr::children`, parentheses included), which
/// `Engine::subtree` takes to evaluate the node on its own.
pub fn nodes_with_paths(expr: &Expr, query: &str) -> (Vec<ExplainNode>, Vec<Vec<usize>>) {
    let mut out = Vec::new();
    let mut paths = Vec::new();
    let mut path = Vec::new();
    walk(expr, query, None, 0, &mut path, &mut out, &mut paths);
    (out, paths)
}

fn walk(
    expr: &Expr,
    query: &str,
    parent: Option<usize>,
    depth: usize,
    path: &mut Vec<usize>,
    out: &mut Vec<ExplainNode>,
    paths: &mut Vec<Vec<usize>>,
) {
    if let ExprKind::Paren(p) = &expr.kind {
        path.push(0);
        walk(&p.expr, query, parent, depth, path, out, paths);
        path.pop();
        return;
    }
    let id = out.len();
    paths.push(path.clone());
    out.push(ExplainNode {
        id,
        parent,
        depth,
        start: expr.span.start,
        end: expr.span.end,
        label: own_text(expr, query),
        text: format(expr),
        result_type: expr.value_type().name().to_string(),
        sentence: describe::sentence(expr),
        stats: None,
    });
    for (i, child) in expr.children().into_iter().enumerate() {
        path.push(i);
        walk(child, query, Some(id), depth + 1, path, out, paths);
        path.pop();
    }
}

/// The node as the learner wrote it, with each child that is itself a tree node replaced by
/// `…` and runs of whitespace collapsed: `sum by (job) (…)`, `histogram_quantile(0.9, …)`.
pub fn own_text(expr: &Expr, query: &str) -> String {
    let start = expr.span.start as usize;
    let end = expr.span.end as usize;
    let mut raw = String::new();
    let mut at = start;
    for child in expr.children() {
        if matches!(child.kind, ExprKind::Number(_) | ExprKind::String(_)) {
            continue;
        }
        let (cs, ce) = (child.span.start as usize, child.span.end as usize);
        if cs < at || ce > end {
            continue;
        }
        raw.push_str(query.get(at..cs).unwrap_or(""));
        raw.push('…');
        at = ce;
    }
    raw.push_str(query.get(at..end).unwrap_or(""));
    let collapsed: Vec<&str> = raw.split_whitespace().collect();
    let text = collapsed.join(" ");
    if text.is_empty() { format(expr) } else { text }
}

#[cfg(test)]
mod tests {
    use super::*;
    use simulator::promql::parse;

    fn outline(query: &str) -> Vec<String> {
        let expr = parse(query).unwrap();
        nodes(&expr, query)
            .iter()
            .map(|n| format!("{}{} : {}", "  ".repeat(n.depth), n.label, n.result_type))
            .collect()
    }

    #[test]
    fn nodes_show_their_own_text_with_children_elided() {
        assert_eq!(
            outline("histogram_quantile(0.9, sum by (le) (rate(x_bucket{job=\"a\"}[5m])))"),
            vec![
                "histogram_quantile(0.9, …) : instant vector",
                "  0.9 : scalar",
                "  sum by (le) (…) : instant vector",
                "    rate(…) : instant vector",
                "      x_bucket{job=\"a\"}[5m] : range vector",
            ]
        );
        assert_eq!(
            outline("(a + b)\n  * on(job) group_left\n c"),
            vec![
                "… * on(job) group_left … : instant vector",
                "  … + … : instant vector",
                "    a : instant vector",
                "    b : instant vector",
                "  c : instant vector",
            ]
        );
        assert_eq!(
            outline("max_over_time(rate(x[1m])[1h:5m] offset 1d)"),
            vec![
                "max_over_time(…) : instant vector",
                "  …[1h:5m] offset 1d : range vector",
                "    rate(…) : instant vector",
                "      x[1m] : range vector",
            ]
        );
    }

    #[test]
    fn parents_and_depths_describe_the_tree() {
        let q = "sum(a) / sum(b)";
        let n = nodes(&parse(q).unwrap(), q);
        let shape: Vec<(Option<usize>, usize)> = n.iter().map(|n| (n.parent, n.depth)).collect();
        assert_eq!(
            shape,
            vec![
                (None, 0),
                (Some(0), 1),
                (Some(1), 2),
                (Some(0), 1),
                (Some(3), 2)
            ]
        );
        assert_eq!(n[0].text, "sum(a) / sum(b)");
        assert_eq!((n[3].start, n[3].end), (9, 15));
        let q = "(sum(a)) * 2";
        let (n, paths) = nodes_with_paths(&parse(q).unwrap(), q);
        assert_eq!(n.len(), 4);
        assert_eq!(paths, vec![vec![], vec![0, 0], vec![0, 0, 0], vec![1]]);
    }
}
