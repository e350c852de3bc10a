//! What steps say about the services they talk to: a "did you mean" hint for
//! a name no environment defines, and why a write may not reach a protected
//! environment.
//!
//! ```text
//! unknown service `erpp`: it must be defined in both `production` and `staging`; did you mean `erp`?
//! refused: publishing a message would write to protected environment `production`; done in neither environment (tag the scenario with one of: @write-ok)
//! ```

use crate::trace::Side;
use crate::world::{RunContext, ScenarioState};

/// `; did you mean `NAME`?` for the known name closest to `name`, or nothing.
pub(super) fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> String {
    crate::suggest::did_you_mean(name, known)
        .map(|s| format!("; did you mean `{s}`?"))
        .unwrap_or_default()
}

/// Why `what` (a publish, a write request) may not happen in either
/// environment, if one of them is protected and no scenario tag allows it;
/// `neither` says what happened instead (`sent to neither environment`).
pub(super) fn write_refusal(
    run: &RunContext,
    scenario: &ScenarioState,
    what: &str,
    neither: &str,
) -> Option<String> {
    Side::BOTH.iter().find_map(|side| {
        let env = &run.envs.get(*side).env;
        (!env.allows_writes(&scenario.key.tags)).then(|| {
            let tags = if env.allow_write_tags.is_empty() {
                "no tag allows writes there".to_owned()
            } else {
                format!(
                    "tag the scenario with one of: {}",
                    env.allow_write_tags.join(", ")
                )
            };
            format!(
                "refused: {what} would write to protected environment `{}`; {neither} ({tags})",
                env.name
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hint_names_the_closest_known_service() {
        let known = ["erp", "wms"];
        assert_eq!(
            did_you_mean("erpp", known.iter().copied()),
            "; did you mean `erp`?"
        );
        assert_eq!(did_you_mean("billing", known.iter().copied()), "");
    }
}
