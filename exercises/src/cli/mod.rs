//! The subcommands, one module each. Only this side of the crate reads files.

pub mod check;
pub mod credentials;
pub mod grade;
pub mod server;
pub mod tls;
