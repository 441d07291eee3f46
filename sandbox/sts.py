"""placeholder"""
class StrictSts: pass
