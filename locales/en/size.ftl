# File sizes; $value is already formatted for the language.
size-bytes = { $count ->
        [one] { $count } byte
       *[other] { $count } bytes
    }
size-kb = { $value } KB
size-mb = { $value } MB
size-gb = { $value } GB
size-tb = { $value } TB
