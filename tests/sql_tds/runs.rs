//! whole runs
