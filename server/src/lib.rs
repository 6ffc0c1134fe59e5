//! Zhifa's central service (`zhifa-server`).
//!
//! The service that devices sync with — enrolment, the outbox ledger,
//! evidence storage, catalogue publishing, payment callbacks — is built by
//! the sync issue. Until then this crate deliberately defines nothing and
//! ships no binary, so nothing can mistake it for a working server.
