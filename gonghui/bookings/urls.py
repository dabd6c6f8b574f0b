worker_patterns = ([], "bookings_h5")
cadre_patterns = ([], "bookings")
