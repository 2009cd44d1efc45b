# Las páginas de error comunes (src/http/html.rs).
errors-not-found-title = No encontrado
errors-not-found-lead = Aquí no hay nada.
errors-not-found-text = Puede que el enlace esté mal escrito o que lo que señalaba se haya eliminado.
errors-upload-a-file = Subir un archivo
errors-try-later-title = Inténtelo de nuevo más tarde
errors-too-many-title = Demasiadas solicitudes
errors-too-many-text = Se han solicitado demasiadas páginas desde su dirección. Espere { $seconds ->
        [one] { $seconds } segundo
       *[other] { $seconds } segundos
    } y vuelva a intentarlo.
