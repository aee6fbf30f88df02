//! The webhook pages: the list (with its search, pages and bulk actions),
//! the new-webhook and edit-webhook pages, their form and the list's rows.

pub mod bulk;
pub mod edit;
pub mod form;
pub mod list;
pub mod new;
mod paging;
mod rows;
