//! The centre's read API over the record (issue 15 item 8): lists of
//! cases, inspections and tasks with filters and keyset pagination, and
//! the full detail of one, inside a console account's scope.
