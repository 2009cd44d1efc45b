//! The guide's elements for files, folders and contacts, built from the
//! typed rows: the only place they take their wire shape.

use crate::db::files::File;
use crate::db::folders::Folder;
use crate::library::contacts::Contact;
use crate::library::{self, links, Library};

pub use crate::api::envelope::Node;

/// The guide's full `<file …/>` element as the owner sees it, attributes in
/// the guide's order; 1.2 sessions also get `delete_url`.
/// `direct_download_url` is a signed, expiring URL charged to the owner.
pub fn file(lib: &Library, file: &File, v12: bool) -> Node {
    let node = Node::new("file")
        .attr("id", &file.id)
        .attr("name", &file.name)
        .attr("description", &file.description)
        .attr("password", file.password(&lib.secrets))
        .attr("folder_id", &file.folder_id)
        .attr("download_page_url", lib.url(&format!("/file/{}", file.id)))
        .attr(
            "direct_download_url",
            links::direct_url(lib, file, file.user_id.unwrap_or(0)),
        )
        .attr("upload_time", file.uploaded)
        .attr("file_size", file.size)
        .attr("downloads", file.downloads)
        .attr("time_limit", file.time_limit)
        .attr("download_limit", file.download_limit)
        .attr("limit_action", file.limit_action)
        .attr("limit_action_to_folder", &file.limit_action_to_folder);
    if v12 {
        node.attr("delete_url", library::delete_url(lib, file))
    } else {
        node
    }
}

/// `<folder id name shared public_url rss_url parent_folder_id/>`
pub fn folder(lib: &Library, folder: &Folder) -> Node {
    let shared_url = |prefix: &str| {
        if folder.shared != 0 {
            lib.url(&format!("{prefix}{}", folder.id))
        } else {
            String::new()
        }
    };
    Node::new("folder")
        .attr("id", &folder.id)
        .attr("name", &folder.name)
        .attr("shared", folder.shared)
        .attr("public_url", shared_url("/folder/"))
        .attr("rss_url", shared_url("/rss/"))
        .attr("parent_folder_id", &folder.parent_id)
}

/// `<contact email name description type/>`
pub fn contact(contact: &Contact) -> Node {
    Node::new("contact")
        .attr("email", &contact.email)
        .attr("name", &contact.name)
        .attr("description", &contact.description)
        .attr("type", contact.kind.code())
}
