"""What the routers call: search, expansion, paths, findings, communities, exports…"""
