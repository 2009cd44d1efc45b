//! The parts of dropspace that read or write bytes a client controls, with
//! no server state: request parameters, multipart forms, `Range` headers,
//! signed download URLs, file_send request signatures, the XML/JSON
//! answer envelope, the guide's error codes and zip archives' layout. They live in this small
//! crate so that the fuzz targets in `fuzz/` build in seconds instead of
//! compiling the whole server.

pub mod codes;
pub mod envelope;
pub mod file_send;
pub mod form;
pub mod form_guard;
pub mod html;
pub mod links;
pub mod params;
pub mod range;
pub mod size;
pub mod upload;
pub mod zip;
