from django.http import HttpResponse


def map_page(request):
    return HttpResponse("TODO")


def space_detail(request, code):
    return HttpResponse("TODO")


def spaces_geojson(request):
    return HttpResponse("TODO")


def spaces_nearest(request):
    return HttpResponse("TODO")
