"""The test-drive back office. Importing the modules registers their admins."""

from testdrives.admin import kiosks, orders, records, testdrive

__all__ = ["kiosks", "orders", "records", "testdrive"]
