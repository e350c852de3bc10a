//! Mock environments served from `mocks/*.yaml` (wiremock).
