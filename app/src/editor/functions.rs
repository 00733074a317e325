//! The function table as the page sees it: names, signatures, docs and examples.
//!
//! **Why a copy travels from the worker.** The engine's table (`simulator::promql::
//! functions`) is the one list of functions, and each entry holds the function's
//! implementation. Naming the table on the page would link every implementation, the TSDB
//! reader they call and the regex compiler `label_replace` uses into the page's wasm, where
//! none of it runs (225 KB brotli, see BENCHMARKS.md). So the worker, which links the engine
//! anyway, answers a `Functions` request from the table once per session, and the page's
//! completion reads the answer. There is still one list: this is its serialised form, built
//! only by [`crate::worker::catalog::function_docs`].

use serde::{Deserialize, Serialize};

/// One function, as completion and docs show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionDoc {
    /// The name as written in a query.
    pub name: String,
    /// Parameter types by name (`"range vector"`, `"scalar"`, ...), in order.
    pub args: Vec<String>,
    /// Prometheus' variadic rule: 0 fixed arity, n > 0 up to n optional trailing
    /// arguments, negative no limit (extra arguments take the last parameter's type).
    pub variadic: i32,
    /// The result type's name.
    pub returns: String,
    /// The signature as the table prints it (`round(instant vector, [scalar])`).
    pub signature: String,
    /// One sentence for a learner.
    pub doc: String,
    /// A real query calling it.
    pub example: String,
    /// Whether Prometheus gates it behind a feature flag.
    pub experimental: bool,
}

impl FunctionDoc {
    /// The type argument `index` must have, by name: the same rule as the table's
    /// `Function::arg_type`.
    pub fn arg_type(&self, index: usize) -> Option<&str> {
        match self.args.get(index) {
            Some(t) => Some(t),
            None if self.variadic != 0 => self.args.last().map(String::as_str),
            None => None,
        }
    }

    /// Whether argument `index` is a range vector (`rate(x[5m])`).
    pub fn takes_range(&self, index: usize) -> bool {
        self.arg_type(index) == Some(RANGE_VECTOR)
    }

    /// The most arguments a call may pass, or `None` for no limit.
    pub fn max_args(&self) -> Option<usize> {
        let min = if self.variadic == 0 {
            self.args.len()
        } else {
            self.args.len().saturating_sub(1)
        };
        match self.variadic {
            0 => Some(self.args.len()),
            n if n > 0 => Some(min + n.unsigned_abs() as usize),
            _ => None,
        }
    }
}

/// The type name of a range vector, as `ValueType::name` spells it.
pub const RANGE_VECTOR: &str = "range vector";

/// Every function, sorted by name; empty until the worker has answered.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionDocs(pub Vec<FunctionDoc>);

impl FunctionDocs {
    /// The function called exactly `name`.
    pub fn lookup(&self, name: &str) -> Option<&FunctionDoc> {
        self.0.iter().find(|f| f.name == name)
    }

    /// All of them, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &FunctionDoc> {
        self.0.iter()
    }

    /// Whether the worker has not answered yet.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use crate::worker::catalog::function_docs;
    use simulator::promql::functions;
    use simulator::promql::types::ValueType;

    #[test]
    fn the_copy_answers_as_the_table_does() {
        let docs = function_docs();
        assert_eq!(docs.0.len(), functions::all().count());
        assert!(docs.0.windows(2).all(|w| w[0].name < w[1].name), "sorted");
        for f in functions::all() {
            let d = docs.lookup(f.name).unwrap();
            assert_eq!(d.max_args(), f.max_args(), "{}", f.name);
            assert_eq!(d.signature, f.signature());
            for i in 0..6 {
                assert_eq!(
                    d.takes_range(i),
                    f.arg_type(i) == Some(ValueType::Matrix),
                    "{} argument {i}",
                    f.name
                );
            }
        }
    }
}
