# A shared folder's RSS feed, /rss/{id} (src/pages/rss.rs).
rss-shared-folder = Shared folder
rss-description = Files shared in the folder { $name }
