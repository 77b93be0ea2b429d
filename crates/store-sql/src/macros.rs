//! The shared trait implementations, one macro per aggregate.
