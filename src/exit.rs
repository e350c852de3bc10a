//! Exit codes of the `driftgate` binary, in one place.
//!
//! ```text
//! 0 no drift   1 drift (or a failed scenario)   2 usage/config/feature error
//! 3 unreachable   4 incomplete trace   130 stopped by SIGINT   143 stopped by SIGTERM
//! ```

/// No drift beyond policy; every scenario passed.
pub const NO_DRIFT: u8 = 0;
/// Drift found, or a scenario failed in both environments (`record`: a
/// scenario failed or was refused in the recorded environment).
pub const DRIFT: u8 = 1;
/// Usage, configuration or feature-file error: nothing was judged.
pub const USAGE: u8 = 2;
/// An environment could not be reached at all.
pub const UNREACHABLE: u8 = 3;
/// `report` or `compare` judged a trace whose run did not run every scenario
/// (killed, interrupted, or still running): whatever it holds, not a pass.
pub const INCOMPLETE: u8 = 4;
/// The run was stopped by SIGINT (128 + 2); its reports say `INCOMPLETE`.
pub const INTERRUPTED: u8 = 130;
/// The run was stopped by SIGTERM (128 + 15); its reports say `INCOMPLETE`.
pub const TERMINATED: u8 = 143;
