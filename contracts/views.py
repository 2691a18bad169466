from django.http import HttpResponse


def contract_list(request):
    return HttpResponse("TODO")


def contract_detail(request, pk):
    return HttpResponse("TODO")


def company_detail(request, pk):
    return HttpResponse("TODO")
