//! Exit codes of the `driftgate` binary, in one place.

/// No drift beyond policy; every scenario passed.
pub const NO_DRIFT: u8 = 0;
/// Drift found, or a scenario failed in both environments.
pub const DRIFT: u8 = 1;
/// Usage, configuration or feature-file error: nothing was judged.
pub const USAGE: u8 = 2;
/// An environment could not be reached at all.
pub const UNREACHABLE: u8 = 3;
