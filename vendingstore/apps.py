from django.apps import AppConfig


class VendingStoreConfig(AppConfig):
    name = "vendingstore"
    verbose_name = "Vending Store"
