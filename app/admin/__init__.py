"""Administration: users, devices and forms, for the admin role (API and desk alike)."""
