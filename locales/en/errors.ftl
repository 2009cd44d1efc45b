# The error pages every front end shares (src/http/html.rs).
errors-not-found-title = Not found
errors-not-found-lead = There is nothing here.
errors-not-found-text = The link may be mistyped, or what it pointed to was deleted.
errors-upload-a-file = Upload a file
errors-try-later-title = Try again later
errors-too-many-title = Too many requests
errors-too-many-text = Too many pages were asked for from your address. Wait { $seconds ->
        [one] { $seconds } second
       *[other] { $seconds } seconds
    } and try again.
