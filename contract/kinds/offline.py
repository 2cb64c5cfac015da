"""The clauses a kind's device.offline alert cites: what losing its monitoring means in the standards."""

TIME_LIMITS = "（离线时限为行业惯例，非标准条文，可配置）"
MACHINE = (
    "JGJ 332-2014 第3.1.1条 塔机运行数据应实时监控；安全监控系统离线即安全装置失效，属 建质规〔2024〕5号 "
    f"第八条(四) 重大事故隐患{TIME_LIMITS}"
)
"""A machine's black box gone silent: its monitoring is a safety device, and a failed one is major."""
PIT = f"建质规〔2024〕5号 第五条(三) 深基坑施工未进行第三方监测属重大事故隐患；监测数据中断期间基坑失去监测{TIME_LIMITS}"
"""A deep pit's monitoring gone silent: a pit without monitoring is a major hazard."""
UNMAPPED = f"通用监测设备数据中断：该设备不对应具体标准条文（无对应标准条文），恢复前人工巡查{TIME_LIMITS}"
"""A generic device's silence: sitegw judges none of its readings, so no article stands behind its monitoring."""
