//! Which pack and exercise are open, in the URL's query string, and back.
//!
//! The course shares the page with the workbench; a query string with `course` or `pack`
//! opens the course instead. Links stay relative (`?course&ex=...`), so they work under any
//! sub-path, and they can be shared: a built-in pack or a pack at a URL opens anywhere. A
//! pack opened from a local file is named in the link (`pack=file:NAME`) but only the
//! browser that opened it holds its text, so elsewhere the page asks for the file again.
//!
//! ```text
//! ?course                                  the built-in course: every module, with progress
//! ?course&ex=course-02-counters/rate-5m    one of its exercises
//! ?pack=packs/mine.toml                    a pack at a URL (relative to the page or absolute)
//! ?pack=packs/mine.toml&ex=my-pack/first   one of its exercises
//! ?pack=file:mine.toml                     a pack opened from a local file
//! ```

use crate::state::url::decode_component;
use exercises::api::encode_query_value;

/// The prefix that marks a local file in `pack=`. A URL never starts with it that we could
/// fetch: browsers refuse `file:` fetches from a served page.
pub const FILE_PREFIX: &str = "file:";

/// Where the open packs come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PackSource {
    /// The packs built into the site (exercises/packs/).
    Course,
    /// A pack fetched from this URL, as written in the link.
    Url(String),
    /// A pack the learner opened from a local file with this name.
    File(String),
}

/// An exercise, by pack id and exercise id.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExerciseKey {
    /// The pack's id.
    pub pack: String,
    /// The exercise's id.
    pub exercise: String,
}

impl ExerciseKey {
    /// The key `pack/exercise`.
    pub fn new(pack: &str, exercise: &str) -> ExerciseKey {
        ExerciseKey {
            pack: pack.to_string(),
            exercise: exercise.to_string(),
        }
    }
}

/// What the course shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// The packs.
    pub source: PackSource,
    /// The open exercise; `None` shows the module list.
    pub exercise: Option<ExerciseKey>,
}

impl Route {
    /// The built-in course's module list.
    pub fn course() -> Route {
        Route {
            source: PackSource::Course,
            exercise: None,
        }
    }

    /// The same packs with `exercise` open (or the module list for `None`).
    pub fn with_exercise(&self, exercise: Option<ExerciseKey>) -> Route {
        Route {
            source: self.source.clone(),
            exercise,
        }
    }
}

/// The route a query string (with or without its `?`) names; `None` for the workbench.
/// An `ex` that is not `pack/exercise` is ignored: the module list opens instead.
pub fn decode(search: &str) -> Option<Route> {
    let search = search.strip_prefix('?').unwrap_or(search);
    let mut source = None;
    let mut exercise = None;
    for pair in search.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(value) = decode_component(v) else {
            continue;
        };
        match decode_component(k).as_deref() {
            Some("course") if source.is_none() => source = Some(PackSource::Course),
            Some("pack") if !value.trim().is_empty() => {
                source = Some(match value.strip_prefix(FILE_PREFIX) {
                    Some(name) => PackSource::File(name.to_string()),
                    None => PackSource::Url(value.trim().to_string()),
                })
            }
            Some("ex") => {
                exercise = value
                    .split_once('/')
                    .filter(|(p, e)| !p.is_empty() && !e.is_empty())
                    .map(|(p, e)| ExerciseKey::new(p, e));
            }
            _ => {}
        }
    }
    Some(Route {
        source: source?,
        exercise,
    })
}

/// The query string (with its `?`) that opens `route`.
pub fn encode(route: &Route) -> String {
    let mut out = match &route.source {
        PackSource::Course => "?course".to_string(),
        PackSource::Url(url) => format!("?pack={}", encode_query_value(url)),
        PackSource::File(name) => format!(
            "?pack={}",
            encode_query_value(&format!("{FILE_PREFIX}{name}"))
        ),
    };
    if let Some(key) = &route.exercise {
        out.push_str("&ex=");
        out.push_str(&encode_query_value(&key.pack));
        out.push('/');
        out.push_str(&encode_query_value(&key.exercise));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_round_trip_through_the_query_string() {
        let routes = [
            Route::course(),
            Route::course().with_exercise(Some(ExerciseKey::new("course-02", "rate-5m"))),
            Route {
                source: PackSource::Url("https://example.org/packs/my pack.toml?v=2".into()),
                exercise: Some(ExerciseKey::new("mine", "a_b")),
            },
            Route {
                source: PackSource::Url("packs/local.toml".into()),
                exercise: None,
            },
            Route {
                source: PackSource::File("pack (1).toml".into()),
                exercise: None,
            },
        ];
        for r in routes {
            assert_eq!(decode(&encode(&r)), Some(r.clone()), "{}", encode(&r));
        }
        assert_eq!(
            encode(&Route::course().with_exercise(Some(ExerciseKey::new("c", "e")))),
            "?course&ex=c/e"
        );
    }

    #[test]
    fn the_workbench_keeps_its_links_and_bad_parameters_are_ignored() {
        assert_eq!(decode(""), None);
        assert_eq!(decode("?q=up&tab=table"), None);
        assert_eq!(decode("?pack="), None);
        assert_eq!(decode("?course&ex=nopack"), Some(Route::course()));
        assert_eq!(decode("?course&ex=/x"), Some(Route::course()));
        assert_eq!(
            decode("course&pack=a.toml").map(|r| r.source),
            Some(PackSource::Url("a.toml".into()))
        );
    }
}
