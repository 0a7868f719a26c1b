// placeholder: the map page script (written in a later step)
