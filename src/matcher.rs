//! Karate-style fuzzy matching of expected values against actual JSON.
