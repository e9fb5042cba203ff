from rest_framework.generics import ListAPIView, RetrieveAPIView


class BrandListApi(ListAPIView):
    pass


class CarModelListApi(ListAPIView):
    pass


class CarModelDetailApi(RetrieveAPIView):
    pass


class StoreListApi(ListAPIView):
    pass
