CUE_COUNTS: dict[str, tuple[int, int]] = {}
