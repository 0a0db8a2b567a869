// placeholder so the module library is never empty; replaced as the module grows.
