//! The parsed queries of a catalog, kept by [`Query::id`] for the later stages (the dashboards'
//! checks, the emitters) that need their syntax trees.

use crate::syntax::QueryKind;
use catalog_model::model::Query;
use promql_parser::parser::Expr;

/// One query of the catalog, parsed.
#[derive(Debug, Clone)]
pub struct Parsed {
    pub ast: Expr,
    pub kind: QueryKind,
}

/// Every query of a checked catalog, parsed, by [`Query::id`].
#[derive(Debug, Clone)]
pub struct Queries(Vec<Option<Parsed>>);

impl Queries {
    /// The parsed queries by id (`None` where one did not parse).
    pub(crate) fn new(parsed: Vec<Option<Parsed>>) -> Queries {
        Queries(parsed)
    }
}

impl Queries {
    /// The parsed query. Every query of a catalog that loaded through this stage parsed; a query of
    /// another catalog, or of one that did not load, is a bug of the caller's, and panics.
    pub fn get(&self, q: &Query) -> &Parsed {
        self.0.get(q.id).and_then(Option::as_ref).expect("a query of a catalog that passed the PromQL stage")
    }

    /// The parsed query, if it parsed: for a later stage's checks, which run on catalogs with
    /// errors too.
    pub fn try_get(&self, q: &Query) -> Option<&Parsed> {
        self.0.get(q.id).and_then(Option::as_ref)
    }

    /// [`Queries::try_get`]'s syntax tree.
    pub fn try_ast(&self, q: &Query) -> Option<&Expr> {
        self.try_get(q).map(|p| &p.ast)
    }

    /// The query's syntax tree.
    pub fn ast(&self, q: &Query) -> &Expr {
        &self.get(q).ast
    }

    /// Whether the query is instant or rate-based.
    pub fn kind(&self, q: &Query) -> QueryKind {
        self.get(q).kind
    }
}
