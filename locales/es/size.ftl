# Tamaños de archivo; $value ya está formateado para el idioma.
size-bytes = { $count ->
        [one] { $count } byte
       *[other] { $count } bytes
    }
size-kb = { $value } KB
size-mb = { $value } MB
size-gb = { $value } GB
size-tb = { $value } TB
