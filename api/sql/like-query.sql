replace(replace(replace(cosmo.search_normalize($1::text), '\', '\\'), '%', '\%'), '_', '\_')
